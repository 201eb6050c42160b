// The page's own script: records when it ran, so tests can see vendors never delay it.
window.pageScriptRanAt = performance.now();
