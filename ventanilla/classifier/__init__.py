"""Labels a request, extracts the required data it carries and says what is still missing."""
