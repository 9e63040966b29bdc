package io.toridb.core.scripting;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Tables a script may read but not change, as Redis 7.0 makes its global table and libraries
 * read-only: once sealed, every write (assignment, {@code rawset}, {@code table.insert}, a new
 * metatable) raises {@code Attempt to modify a readonly table}. Being the tables themselves, not
 * views of them, they iterate and {@code rawget} as usual.
 */
final class SealedTables {
  static final String READ_ONLY = "Attempt to modify a readonly table";

  private SealedTables() {}

  /** A sealed copy of {@code source}'s entries. */
  static SealedGlobals copyOf(LuaTable source) {
    SealedGlobals t = new SealedGlobals();
    for (Varargs e = source.next(LuaValue.NIL); !e.arg1().isnil(); e = source.next(e.arg1())) {
      t.rawset(e.arg1(), e.arg(2));
    }
    t.seal();
    return t;
  }

  /**
   * The global table of a worker's interpreter, sealed once set up. The engine still sets KEYS and
   * ARGV for each script through {@link #put}.
   */
  static final class SealedGlobals extends Globals {
    private boolean sealed;

    void seal() {
      sealed = true;
    }

    /** Sets a global even while sealed: for the engine only. */
    void put(String name, LuaValue value) {
      boolean was = sealed;
      sealed = false;
      try {
        super.rawset(LuaValue.valueOf(name), value);
      } finally {
        sealed = was;
      }
    }

    private void check() {
      if (sealed) {
        throw new LuaError(READ_ONLY);
      }
    }

    @Override
    public void rawset(int key, LuaValue value) {
      check();
      super.rawset(key, value);
    }

    @Override
    public void rawset(LuaValue key, LuaValue value) {
      check();
      super.rawset(key, value);
    }

    @Override
    public void hashset(LuaValue key, LuaValue value) {
      check();
      super.hashset(key, value);
    }

    @Override
    public void insert(int pos, LuaValue value) {
      check();
      super.insert(pos, value);
    }

    @Override
    public LuaValue remove(int pos) {
      check();
      return super.remove(pos);
    }

    @Override
    public void sort(LuaValue comparator) {
      check();
      super.sort(comparator);
    }

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
      check();
      return super.setmetatable(metatable);
    }
  }
}
