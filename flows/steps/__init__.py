"""The steps of the pipeline, one module each: ingest (reading YAML through
`yaml_cells`), validate, build, render, publish (with its index, `release_index`) and
verify, and what they share (problems, versioning, the input fingerprint)."""
