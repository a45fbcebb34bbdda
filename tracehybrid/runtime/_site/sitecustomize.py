"""Start tracehybrid's tracer in every Python process launched by `tracehybrid run`."""

try:
    from tracehybrid.runtime.bootstrap import chain_next_sitecustomize, start_from_env
except ImportError:  # another interpreter without tracehybrid: stay out of the way
    pass
else:
    start_from_env()
    chain_next_sitecustomize()
