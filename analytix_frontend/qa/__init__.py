"""For people checking a page: the debug-toolbar panel's stats (`panel`) and the report
command's answers (`report`). They read decisions and records; they never make them."""
