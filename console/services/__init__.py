"""Use cases over the store: pure Python, no Qt, testable without a screen."""
