"""A generator of sample landing zones: a believable DAM account's raw activity."""

from sample_data.generator import MANIFEST_NAME, SampleConfig, generate

__all__ = ["MANIFEST_NAME", "SampleConfig", "generate"]
