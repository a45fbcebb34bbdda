"""Reports pytest's collection order to the tracer, as the tracehybrid plugin is asked to do itself."""

from tracehybrid.runtime.collector import active_collector


def pytest_collection_finish(session):
    collector = active_collector()
    if collector is not None:
        collector.set_collection_order([item.nodeid for item in session.items])
