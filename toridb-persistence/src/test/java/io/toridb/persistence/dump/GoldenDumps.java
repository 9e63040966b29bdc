package io.toridb.persistence.dump;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The payloads in {@code dump/golden-dumps.txt}, captured from redis-server 7.0.15 by {@code
 * capture-golden.py} beside it, with the encoding and DEBUG DIGEST-VALUE Redis reported for them.
 */
public final class GoldenDumps {
  /** One captured value. */
  public record Golden(
      String name, String commands, String encoding, String digest, byte[] payload) {
    @Override
    public String toString() {
      return name;
    }
  }

  private GoldenDumps() {}

  public static List<Golden> all() {
    try (InputStream in = GoldenDumps.class.getResourceAsStream("/dump/golden-dumps.txt")) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      List<Golden> out = new ArrayList<>();
      String name = null;
      String commands = null;
      String encoding = null;
      String digest = null;
      for (String line : text.split("\n")) {
        if (line.startsWith("name: ")) {
          name = line.substring(6);
        } else if (line.startsWith("commands: ")) {
          commands = line.substring(10);
        } else if (line.startsWith("encoding: ")) {
          encoding = line.substring(10);
        } else if (line.startsWith("digest: ")) {
          digest = line.substring(8);
        } else if (line.startsWith("payload: ")) {
          out.add(
              new Golden(
                  name, commands, encoding, digest, HexFormat.of().parseHex(line.substring(9))));
        }
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The golden payload called {@code name}. */
  public static Golden named(String name) {
    return all().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
  }
}
