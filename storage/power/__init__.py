"""Power-use monitoring (日监测): import of the grid company's readings, detection, queries, charts, reports."""
