"""The decision as HTML: the tag's one escaped JSON block and first-party script, the CSP
nonce, the script URLs, and what caches may share (`caching`)."""
