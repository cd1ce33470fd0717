"""Built-in monitors at run time: the probes and the worker's scheduling loop."""
