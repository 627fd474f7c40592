-- The application's second version (Gatehouse has a version 1 too: the two histories never meet).
ALTER TABLE app_notes ADD author VARCHAR(100);
