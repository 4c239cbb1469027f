"""Course files: reading and writing them, importing one all or nothing, the catalog generator."""
