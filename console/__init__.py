"""duty-console: desktop command console of a county integrated emergency command centre."""

__version__ = "0.1.0"
