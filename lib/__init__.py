"""LiveOps Dashboard core: everything but the page scripts. No Streamlit import in the core modules."""
