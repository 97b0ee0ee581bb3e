"""The Streamlit dashboard: pages over the claim store (run ``streamlit run streamlit_app.py``)."""
