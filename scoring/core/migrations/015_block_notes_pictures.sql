-- Intake reads footnotes, endnotes, text boxes and pictures: the reading pane shows each
-- block's notes under it, its pictures in place, and a text box as a box.
ALTER TABLE contribution_blocks ADD COLUMN notes JSON;
ALTER TABLE contribution_blocks ADD COLUMN pictures JSON;
ALTER TABLE contribution_blocks ADD COLUMN frame VARCHAR;
