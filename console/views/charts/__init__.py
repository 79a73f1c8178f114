"""Monitoring charts (pyqtgraph): rain bars with the running total, water levels against
their lines, on a Beijing-time axis. Imported only when the 雨水情 page is first shown."""
