"""Browser tests of the explorer (``lumbar diagrams --html``) in a real headless Chromium."""
