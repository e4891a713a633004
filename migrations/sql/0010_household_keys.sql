-- Households' data keys (envelope encryption of their sensitive fields, directory/sealing.py): each wrapped by a
-- master key that never enters the database. Kept outside the append-only log so that erasing a household can
-- destroy its key (crypto-shredding): wrapped becomes NULL, and every box sealed with it stays unopenable.

CREATE TABLE household_keys (
    key_id         text        PRIMARY KEY CHECK (key_id ~ '^hk-[0-9a-f]{16}$'),
    household_id   text        NOT NULL UNIQUE,
    master_key_id  text        NOT NULL,
    wrapped        bytea       CHECK (wrapped IS NULL OR length(wrapped) = 40),  -- AES key wrap of 32 bytes
    created_at     timestamptz NOT NULL DEFAULT now(),
    erased_at      timestamptz,
    CHECK ((wrapped IS NULL) = (erased_at IS NOT NULL))
);

-- A destroyed key stays destroyed: no role brings it back, nor deletes the row that says it was.
CREATE FUNCTION household_keys_stay_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'household_keys: a data key is destroyed, never deleted';
    END IF;
    IF OLD.wrapped IS NULL AND NEW.wrapped IS NOT NULL THEN
        RAISE EXCEPTION 'household_keys: household % is erased; its key cannot come back', OLD.household_id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER household_keys_stay_erased BEFORE UPDATE OR DELETE ON household_keys
    FOR EACH ROW EXECUTE FUNCTION household_keys_stay_erased();

GRANT SELECT, INSERT ON household_keys TO phancong_writer;
GRANT UPDATE (master_key_id, wrapped, erased_at) ON household_keys TO phancong_writer;
