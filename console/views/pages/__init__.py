"""The console's pages; each is built lazily from :mod:`console.views.registry`."""
