"""Händelselogg (Kvalitetsenheten): every change, who made it and what it was before; backups."""


import streamlit as st

from scoring.core import audit, backup
from scoring.core.store import get_store
from scoring.core.text import count, decimal, escape_markdown
from scoring.year import calendar

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANY = "Alla"
SHOWN = 500

store = get_store()
admin = st.session_state["current_user"]

st.title("Händelselogg")
st.caption("Varje ändring i verktyget loggas i samma ögonblick som den sparas: vem, när (svensk tid), vad och "
           "värdet före och efter. Loggen kan inte ändras härifrån.")

options = audit.choices(store, admin)
first, second, third = st.columns(3)
names = audit.Names(store)
actor = first.selectbox("Vem", [ANY] + options["actor"], key="audit_actor",
                        format_func=lambda a: a if a == ANY else names.person(a))
action = second.selectbox("Vad", [ANY] + options["action"], key="audit_action")
entity = third.selectbox("Gäller", [ANY] + options["entity"], key="audit_entity", format_func=audit.entity_label)
first, second, third = st.columns(3)
today = calendar.today()  # Stockholm's date: the server's clock runs in UTC
since = first.date_input("Från och med", value=None, max_value=today, format="YYYY-MM-DD", key="audit_since")
until = second.date_input("Till och med", value=None, max_value=today, format="YYYY-MM-DD", key="audit_until")
text = third.text_input("Sök", key="audit_text", placeholder="t.ex. en verksamhet, en person eller ett ord",
                        help="Söker i namnen på det händelsen gäller och i värdena före och efter.")
flt = audit.Filter(actor=None if actor == ANY else actor, action=None if action == ANY else action,
                   entity=None if entity == ANY else entity, since=since, until=until, text=text or None)

if since and until and since > until:
    st.error("Från-datumet ligger efter till-datumet; inga händelser kan matcha.")
total = audit.count(store, admin, flt)
rows = audit.entries(store, admin, flt, limit=SHOWN)
st.markdown(f"**{count(total, 'händelse', 'händelser')}**" + (f" (de {SHOWN} senaste visas; exporten tar med alla)" if total > SHOWN else ""))
if rows:
    st.dataframe(
        [{label: r[key] for key, label in audit.COLUMNS.items()} for r in rows],
        hide_index=True, width="stretch", height=420,
        column_config={"Tid": st.column_config.DatetimeColumn("Tid", format="YYYY-MM-DD HH:mm:ss", width="medium"),
                       "Gäller": st.column_config.TextColumn(width="medium")},
    )
    st.download_button("Exportera urvalet till Excel", lambda: audit.workbook(store, admin, flt),
                       file_name=f"handelselogg-{today}.xlsx", mime=XLSX, icon=":material/download:")
else:
    st.info("Inga händelser matchar urvalet.")

st.divider()
st.header("Säkerhetskopia")
st.caption("En kopia av hela databasen i samma ögonblick, medan alla arbetar. Spara filen där stadens "
           "rutiner för säkerhetskopior säger; den innehåller bidrag och bedömningar och är konfidentiell. "
           "Återställning görs med kommandot python -m scoring restore FIL när appen är stoppad.")
if st.button("Skapa säkerhetskopia", icon=":material/backup:"):
    with st.spinner("Kopierar databasen …"):
        st.session_state["backup_file"] = backup.download(store, admin)
if saved := st.session_state.get("backup_file"):
    name, data = saved
    st.download_button(f"Ladda ned {escape_markdown(name)} ({decimal(len(data) / 1e6)} MB)", data, file_name=name,
                       mime="application/zip", icon=":material/download:", type="primary")
