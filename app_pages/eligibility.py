"""Grundläggande kontroll (Kvalitetsenheten): the eligibility register per contribution."""

import streamlit as st

from scoring.core.store import get_store
from scoring.core.text import escape_markdown
from scoring.intake import eligibility
from scoring.year import contributions
from scoring.year.framework import load_framework

YES_NO = {None: "Okänt", True: "Ja", False: "Nej"}
STATUS_STYLE = {eligibility.MAY_TAKE_PART: st.success, eligibility.NO_AWARD: st.warning,
                eligibility.MAY_NOT: st.error}

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Grundläggande kontroll")
visible = contributions.contributions_for(store, user, year) if year else []
if not visible:
    st.info("Det finns inga godkända bidrag ännu.")
    st.stop()
framework = load_framework(year)
st.caption("Registrera vad förvaltningen har svarat. Resultatet räknas fram ur årets regler och "
           "verksamhetens tidigare utmärkelser.")
with st.expander("Årets regler"):
    for rule in framework.eligibility.rule_texts:
        st.markdown(f"- {rule}")

names = {c["id"]: c["unit"] for c in visible}
cid = st.columns([2, 3])[0].selectbox("Bidrag", list(names), format_func=names.get, key="eligibility_contribution")
facts, result = eligibility.register(store, user, cid)
intro = contributions.contribution_content(store, user, cid)["intro"]


def yes_no(label: str, value: bool | None, key: str) -> bool | None:
    choice = st.radio(label, list(YES_NO.values()), index=list(YES_NO).index(value), horizontal=True,
                      key=f"{key}_{cid}")
    return {v: k for k, v in YES_NO.items()}[choice]


form_col, result_col = st.columns([3, 2], gap="large")
with form_col, st.form(f"facts_{cid}"):
    suggested = facts.employees_including_manager
    if suggested is None and str(intro.get("employees", "")).strip().isdigit():
        suggested = int(intro["employees"])  # from the contribution's administrative details
    employees = st.number_input("Antal anställda inklusive chef", min_value=0, max_value=100_000,
                                value=suggested, placeholder="Okänt")
    manager = yes_no("Chef med verksamhets-, budget- och personalansvar", facts.manager_with_full_responsibility, "m")
    plan = yes_no("Verksamhetsplan med mål", facts.business_plan_with_goals, "p")
    share_applies = st.checkbox("Staden köper enstaka platser, eller fristående förskola/skola",
                                value=facts.city_share_rule_applies)
    share = st.number_input("Andel från Stockholms stad (%)", min_value=0.0, max_value=100.0,
                            value=facts.city_share_percent, placeholder="Okänt")
    previous = yes_no("Underskott föregående år", facts.previous_year_deficit, "d1")
    forecast = yes_no("Underskott i årets prognos", facts.forecast_deficit, "d2")
    protocol = st.date_input("Protokollsutdragets datum", value=facts.protocol_extract_date, format="YYYY-MM-DD")
    control = st.checkbox("Frågorna i grundläggande kontroll är besvarade", value=bool(facts.basic_control_answered))
    if st.form_submit_button("Spara", type="primary"):
        result = eligibility.record(store, user, cid, eligibility.Facts(
            employees_including_manager=employees, manager_with_full_responsibility=manager,
            business_plan_with_goals=plan, city_share_rule_applies=share_applies, city_share_percent=share,
            previous_year_deficit=previous, forecast_deficit=forecast, protocol_extract_date=protocol,
            basic_control_answered=control,
        ))
        st.toast("Sparat")
with result_col:
    st.subheader("Resultat")
    if result.missing:
        st.info(f"Preliminärt: {result.status}. Resultatet är klart när underlaget är komplett.")
    else:
        STATUS_STYLE[result.status](result.status.capitalize())
    for reason in result.reasons:
        st.markdown(f"- {escape_markdown(reason)}")
    if result.missing:
        st.markdown("**Underlag saknas:** " + ", ".join(result.missing) + ".")

st.subheader("Alla bidrag")
status_of = eligibility.statuses(store, user, year)
st.dataframe([{"Verksamhet": c["unit"], "Tävlingsklass": c["class_name"], "Resultat": status_of.get(c["id"])}
              for c in visible], hide_index=True, width="stretch")
