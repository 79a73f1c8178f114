"""大屏模式: the wall's panels, its full-screen windows and the controller placing them."""
