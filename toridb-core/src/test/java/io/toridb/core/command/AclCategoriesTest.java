package io.toridb.core.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AclCategoriesTest {
  private static CommandSpec spec(CommandSpec.Builder b) {
    return b.handler((ctx, argv) -> {}).build();
  }

  @Test
  void groupAndFlags_deriveRedisCategories() {
    assertEquals(
        List.of("read", "string", "fast"),
        AclCategories.of(
            spec(
                CommandSpec.builder("get", 2)
                    .group("string")
                    .flags(CommandFlag.READONLY | CommandFlag.FAST))));
    assertEquals(
        List.of("keyspace", "write", "slow"),
        AclCategories.of(spec(CommandSpec.builder("del", -2).flags(CommandFlag.WRITE))));
    assertEquals(
        List.of("write", "sortedset", "slow", "blocking"),
        AclCategories.of(
            spec(
                CommandSpec.builder("bzpopmin", -3)
                    .group("sorted-set")
                    .flags(CommandFlag.WRITE | CommandFlag.BLOCKING))));
  }

  @Test
  void declaredCategories_replaceTheGroupOne() {
    assertEquals(
        List.of("keyspace", "write", "slow", "dangerous"),
        AclCategories.of(
            spec(
                CommandSpec.builder("flushall", -1)
                    .group("server")
                    .acl("keyspace", "dangerous")
                    .flags(CommandFlag.WRITE))));
  }

  @Test
  void admin_impliesDangerous_andScriptingIsNeverRead() {
    assertEquals(
        List.of("admin", "slow", "dangerous"),
        AclCategories.of(
            spec(CommandSpec.builder("x", 1).group("server").flags(CommandFlag.ADMIN))));
    assertEquals(
        List.of("slow", "scripting"),
        AclCategories.of(
            spec(
                CommandSpec.builder("evalro", -3).group("scripting").flags(CommandFlag.READONLY))));
  }

  @Test
  void subcommands_inheritTheContainerGroup() {
    CommandSpec client =
        CommandSpec.builder("client", -2)
            .group("connection")
            .subcommand(CommandSpec.builder("id", 2).handler((ctx, argv) -> {}))
            .build();
    assertEquals(List.of("slow"), AclCategories.of(client));
    assertEquals(List.of("slow", "connection"), AclCategories.of(client.subcommands().get("id")));
  }
}
