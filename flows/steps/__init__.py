"""The steps of the pipeline, one module each: ingest (reading YAML through
`yaml_cells`), validate, build, render, publish (with its index, `release_index`, and the
checksums) and verify, and what they share (problems, versioning, the input fingerprint).
The package step, which needs the writers of release files, is `flows/writers/package.py`:
nothing here imports `flows/writers/` or `flows/orchestration/`."""
