"""What runs the steps: the chain of steps (`pipeline`), the Prefect flow (`release`)
with its temporary server, the repository's front files (`front_files`), `verify` with a
rebuild, the schedule (`serve`) and the command line (`cli`)."""
