"""Each layer reads the layers below it: marts read the core and intermediate models, other
marts and reference data, never staging or the raw sources."""

from __future__ import annotations

import json

from orchestration.dbt.project import dbt_project


def test_marts_read_the_core_and_intermediate_layers_only():
    manifest = json.loads(dbt_project().manifest_path.read_text())
    nodes = {**manifest["nodes"], **manifest["sources"]}
    kinds = {"source": "source", "seed": "reference"}
    layer = {key: kinds.get(node["resource_type"]) or node["fqn"][1] for key, node in nodes.items()}
    marts = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["fqn"][1] == "marts"]  # fmt: skip
    assert len(marts) >= 12
    allowed = {"core", "intermediate", "marts", "reference"}
    read = {
        mart["name"]: sorted({layer[d] for d in mart["depends_on"]["nodes"]} - allowed)
        for mart in marts
    }
    assert read == {name: [] for name in read}


def test_each_stored_table_is_the_model_of_its_name():
    """The run_state lists read a keyed model's previous rows through the source `stored`:
    each of its tables must be that model's relation, or the list would read another table."""
    manifest = json.loads(dbt_project().manifest_path.read_text())
    stored = [s for s in manifest["sources"].values() if s["source_name"] == "stored"]
    assert {s["name"] for s in stored} == {"int_activity_unioned", "int_container_events"}
    for source in stored:
        model = manifest["nodes"][f"model.dam_usage.{source['name']}"]
        assert source["relation_name"] == model["relation_name"]
        readers = manifest["child_map"][source["unique_id"]]
        assert readers and all(".int_" in r and "_touched" in r for r in readers), readers
