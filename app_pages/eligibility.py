"""Grundläggande kontroll (Kvalitetsenheten): the eligibility register per contribution."""

import streamlit as st

from scoring.core.store import get_store
from scoring.core.text import escape_markdown, swedish_date
from scoring.intake import eligibility
from scoring.year import contributions
from scoring.year.framework import load_framework

YES_NO = {None: "Okänt", True: "Ja", False: "Nej"}
STATUS_STYLE = {eligibility.MAY_TAKE_PART: st.success, eligibility.NO_AWARD: st.warning,
                eligibility.MAY_NOT: st.error, eligibility.INCOMPLETE: st.info, eligibility.NOT_ASSESSED: st.info}

store = get_store()
user = st.session_state["current_user"]
year = st.session_state["current_year"]

st.title("Grundläggande kontroll")
visible = contributions.contributions_for(store, user, year) if year else []
if not visible:
    st.info("Det finns inga godkända bidrag ännu.")
    st.stop()
framework = load_framework(year)
rules = framework.eligibility
st.caption("Registrera vad förvaltningen har svarat. Resultatet räknas fram ur årets regler och "
           "verksamhetens tidigare utmärkelser.")
with st.expander("Årets regler"):
    for rule in rules.rule_texts:
        st.markdown(f"- {rule}")
    st.caption("Ett hedersomnämnande, som också ger prispengar, kräver samma kontroll som en utmärkelse."
               if rules.honourable_mention_same_control_as_award else
               "Året kräver inte samma kontroll för ett hedersomnämnande som för en utmärkelse.")

questions = eligibility.basic_control_questions(store, year)
with st.expander(f"Årets frågor i grundläggande kontroll ({len(questions)})", expanded=not questions):
    st.caption("Anvisningarna säger att förvaltningsledningen besvarar frågor om bland annat ekonomi och resultat. "
               "Skriv årets frågor, en per rad; svaren registreras per bidrag nedan."
               + (f" Sista dag för svaren: {swedish_date(framework.deadline('grundlaggande_kontroll'))}."
                  if framework.deadline("grundlaggande_kontroll") else ""))
    with st.form("basic_control_questions"):
        text = st.text_area("Frågor", value="\n".join(questions), height=120)
        if st.form_submit_button("Spara frågorna"):
            eligibility.set_basic_control_questions(store, user, year, text.splitlines())
            st.rerun()

if rules.honourable_mention_earliest_return_years is None:
    current = eligibility.honourable_mention_return(store, year)
    with st.container(border=True):
        st.markdown("**När får en verksamhet med hedersomnämnande delta igen?** Anvisningarna för "
                    f"{year} säger inget om det, så Kvalitetsenheten beslutar. "
                    + (f"Beslutat: {current} år efter hedersomnämnandet." if current else "Inte beslutat ännu."))
        with st.form("hm_return"):
            chosen = st.number_input("Antal år", min_value=1, max_value=10, value=current, placeholder="Välj")
            if st.form_submit_button("Spara beslutet") and chosen:
                try:
                    eligibility.set_honourable_mention_return(store, user, year, int(chosen))
                except eligibility.EligibilityError as exc:
                    st.error(escape_markdown(str(exc)))
                else:
                    st.rerun()

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
    protocol = st.date_input("Protokollsutdraget kom in (datum)", value=facts.protocol_extract_received,
                             format="YYYY-MM-DD")
    st.markdown("**Grundläggande kontroll**")
    answered_on = st.date_input("Förvaltningens svar kom in (datum)", value=facts.basic_control.answered_on,
                                format="YYYY-MM-DD")
    answers = {q: st.text_input(q, value=facts.basic_control.answers.get(q, ""), key=f"bc_{cid}_{n}")
               for n, q in enumerate(questions)}
    note = st.text_area("Anteckning om kontrollen", value=facts.basic_control.note, height=80)
    if st.form_submit_button("Spara", type="primary"):
        try:
            result = eligibility.record(store, user, cid, eligibility.Facts(
                employees_including_manager=employees, manager_with_full_responsibility=manager,
                business_plan_with_goals=plan, city_share_rule_applies=share_applies, city_share_percent=share,
                previous_year_deficit=previous, forecast_deficit=forecast, protocol_extract_received=protocol,
                basic_control=eligibility.BasicControl(answered_on, {q: a for q, a in answers.items() if a.strip()},
                                                       note)))
        except eligibility.EligibilityError as exc:
            st.error(escape_markdown(str(exc)))
        else:
            st.toast("Sparat")
with result_col:
    st.header("Resultat")
    if result.status == eligibility.INCOMPLETE:
        st.info(f"Ej klar. Hittills: {result.preliminary}. Resultatet är klart när underlaget är komplett.")
    else:
        STATUS_STYLE[result.status](result.status.capitalize())
    for reason in result.reasons:
        st.markdown(f"- {escape_markdown(reason)}")
    if result.missing:
        st.markdown("**Underlag saknas:** " + ", ".join(result.missing) + ".")
    for note_text in result.notes:
        st.warning(escape_markdown(note_text), icon=":material/schedule:")

st.header("Alla bidrag")
status_of = eligibility.statuses(store, user, year)
st.dataframe([{"Verksamhet": c["unit"], **({"Tävlingsklass": c["class_name"]} if framework.has_classes else {}),
               "Resultat": status_of.get(c["id"])} for c in visible], hide_index=True, width="stretch")
