-- Staff PINs (issue 17): a short PIN per staff member switches who serves on a till that is
-- signed in. Only the argon2 hash is stored. Replicated to the tills (central's PINs work on
-- every till); `display_name` is copied so a till without the user's row can name them.
CREATE TABLE pos_staff_pin (
    user_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
