"""Rapportmallar: the office changes the Word templates; each is checked and tried first."""

import streamlit as st

from app_pages.swedish import upload_help
from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.reports import documents as reports
from scoring.reports.templates import DIPLOMA, DOSSIER, FEEDBACK

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLES = {FEEDBACK: "Återkopplingsrapport", DOSSIER: "Juryunderlag", DIPLOMA: "Diplom"}

store = get_store()
user = st.session_state["current_user"]

st.title("Rapportmallar")
st.caption("Ladda ner mallen, ändra den i Word och ladda upp den igen. Fälten skrivs {{ fält }}, upprepningar "
           "{%p for … %} … {%p endfor %}. En ny mall kontrolleras och provas med exempeldata innan den används.")
name = st.segmented_control("Mall", list(TITLES), format_func=TITLES.get, default=FEEDBACK, required=True,
                            key="template_name") or FEEDBACK
left, right = st.columns([2, 3], gap="large")
with left:
    st.download_button("Ladda ner mallen som används", reports.template(store, name), file_name=f"{name}.docx",
                       mime=DOCX, icon=":material/download:")
    st.markdown("**Fält**")
    st.markdown("\n".join(f"- `{field}`: {escape_markdown(text)}" for field, text in reports.FIELDS[name].items()))
    if st.button("Återgå till standardmallen"):
        reports.reset_template(store, user, name)
        st.success("Standardmallen används igen.")
with right:
    upload = st.file_uploader("Ny mall (.docx)", type=None, key=f"template_upload_{name}")
    st.caption(upload_help("Word"))
    if upload is not None:
        data = upload.getvalue()
        problems = reports.check_template(name, data)
        if problems:
            st.error(f"{escape_markdown(upload.name)} kan inte användas:")
            st.markdown("\n".join(f"- {escape_markdown(p)}" for p in problems))
        else:
            st.success(f"{escape_markdown(upload.name)} är kontrollerad. Prova den med exempeldata innan du använder den.")
            st.download_button("Ladda ner ett exempel", reports.render(data, reports.sample_context(name)),
                               file_name=f"Exempel {TITLES[name].lower()}.docx", mime=DOCX,
                               icon=":material/preview:")
            if st.button("Använd mallen", type="primary"):
                try:
                    reports.save_template(store, user, name, data)
                except reports.ReportError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.success("Mallen används från och med nu.")
