// Page code logging through analytix, as a site's checkout script would (tests/test_browser_console.py
// checks that DevTools names this file, not logger.js, as the line's source).
window.analytix.logger("Checkout").warning("card declined");
