package io.toridb.persistence.rdb;

import io.toridb.core.stream.ConsumerGroup;
import io.toridb.core.stream.StreamId;
import io.toridb.core.stream.StreamValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A stream as lines of text: its counters, entries, groups, pending entries and consumers, in the
 * form {@code capture-golden-streams.py} writes what Redis's XINFO STREAM FULL reports, so a
 * decoded stream can be compared with what Redis held and two streams with each other.
 */
public final class StreamDescription {
  private StreamDescription() {}

  public static List<String> of(StreamValue s) {
    List<String> out = new ArrayList<>();
    out.add(
        "stream length="
            + s.length()
            + " nodes="
            + s.nodeCount()
            + " last="
            + s.lastId()
            + " max-deleted="
            + s.maxDeletedId()
            + " added="
            + Long.toUnsignedString(s.entriesAdded())
            + " first="
            + s.firstId());
    for (io.toridb.core.stream.StreamValue.Ref r : s.range(StreamId.MIN, StreamId.MAX, false, 0)) {
      StringBuilder line = new StringBuilder("entry ").append(r.id());
      byte[][] fv = r.fieldsAndValues();
      for (int i = 0; i < fv.length; i += 2) {
        line.append(' ').append(escape(fv[i])).append('=').append(escape(fv[i + 1]));
      }
      out.add(line.toString());
    }
    for (ConsumerGroup g : s.groups().values()) {
      out.add(
          "group "
              + escape(g.name())
              + " last="
              + g.lastId()
              + " read="
              + g.entriesRead()
              + " pending="
              + g.pel().size());
      for (Map.Entry<StreamId, ConsumerGroup.Pending> e : g.pel().entrySet()) {
        ConsumerGroup.Pending p = e.getValue();
        out.add(
            "pending "
                + e.getKey()
                + " "
                + (p.consumer() == null ? "(none)" : escape(p.consumer().name()))
                + " "
                + p.deliveryTime()
                + " "
                + Long.toUnsignedString(p.deliveryCount()));
      }
      for (ConsumerGroup.Consumer c : g.consumers().values()) {
        StringJoiner ids = new StringJoiner(",");
        for (StreamId id : c.pel().keySet()) {
          ids.add(id.toString());
        }
        out.add(
            "consumer "
                + escape(c.name())
                + " seen="
                + c.seenTime()
                + " pending="
                + (c.pel().isEmpty() ? "-" : ids.toString()));
      }
    }
    return out;
  }

  /** Bytes 0x21-0x7e as they are, except {@code \ = ,}; all others as {@code \xNN}. */
  static String escape(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      int c = x & 0xFF;
      if (c >= 0x21 && c <= 0x7E && c != '\\' && c != '=' && c != ',') {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return sb.toString();
  }
}
