"""What runs inside the user's pytest process during a graph run: plugin, hook, wrappers, reruns."""
