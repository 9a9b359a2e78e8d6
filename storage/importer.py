"""Placeholder; replaced in the next commit."""
class ImportError_(Exception):
    pass
async def import_file(session, kind, path):
    raise ImportError_("未实现")
