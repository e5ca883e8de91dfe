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
