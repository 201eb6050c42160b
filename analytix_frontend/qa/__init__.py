"""For people checking a page: the per-request record the debug-toolbar panel shows, and the
report command's answers. They read decisions; they never make them."""
