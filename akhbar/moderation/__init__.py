"""Image reports and blocks. The rest of the site only asks, through selectors, whether an image is blocked."""
