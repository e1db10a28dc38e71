"""The Qt layer: adapts the core and the loader to widgets. The only package that imports Qt."""
