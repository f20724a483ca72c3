"""What runs the steps: the chain of steps (`pipeline`), the Prefect flow (`release`)
with its temporary server, the schedule (`serve`) and the command line (`cli`)."""
