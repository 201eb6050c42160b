// The site's own script: marks the page as interactive (the benchmark page's own JS).
document.documentElement.className = "js";
