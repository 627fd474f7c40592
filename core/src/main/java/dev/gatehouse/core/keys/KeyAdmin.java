package dev.gatehouse.core.keys;

import dev.gatehouse.core.ConfigurationException;
import dev.gatehouse.core.GatehouseSettings;
import dev.gatehouse.core.SigningAlgorithm;
import dev.gatehouse.core.store.StoreUnavailableException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The command-line tool for managed signing keys ({@link ManagedKeySource}), for operators:
 *
 * <pre>
 * java -cp '&lt;gatehouse-core, its dependencies and the JDBC driver&gt;' dev.gatehouse.core.keys.KeyAdmin list
 *     ... rotate [--now]
 *     ... revoke &lt;kid&gt;
 * </pre>
 *
 * The database comes from {@code --jdbc-url}, {@code --jdbc-user}, {@code --jdbc-password} or the
 * environment variables {@code GATEHOUSE_JDBC_URL}, {@code GATEHOUSE_JDBC_USER},
 * {@code GATEHOUSE_JDBC_PASSWORD}; the key-encryption key (needed by {@code rotate} and
 * {@code revoke}, which may create a key) from {@code GATEHOUSE_KEY_ENCRYPTION_KEY} or
 * {@code --key-encryption-key}. Prefer the environment for secrets: command lines are visible to
 * other users of the machine. Nothing the tool prints contains key material.
 *
 * <p>Exit status: 0 done, 1 the operation failed (database unreachable, unknown key), 2 wrong
 * usage or settings. See {@code docs/operations.md}.
 */
public final class KeyAdmin {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = String.join("\n",
            "Usage: KeyAdmin <command> [options]",
            "Commands:",
            "  list              the signing keys and what each is doing now",
            "  rotate            create the next key: published now, signs after the publish lead",
            "  rotate --now      the next key signs at once (verifiers that cached the JWK Set refuse",
            "                    its tokens until they fetch it again; other nodes switch at their next refresh)",
            "  revoke <kid>      the key stops signing and verifying now; its tokens are refused",
            "Options (each also read from the environment variable shown):",
            "  --jdbc-url <url>                 GATEHOUSE_JDBC_URL (required)",
            "  --jdbc-user <user>               GATEHOUSE_JDBC_USER",
            "  --jdbc-password <password>       GATEHOUSE_JDBC_PASSWORD",
            "  --key-encryption-key <base64>    GATEHOUSE_KEY_ENCRYPTION_KEY (rotate, revoke)",
            "  --allow-unencrypted              the application stores keys unencrypted",
            "  --algorithm <RS256|ES256|HS256>  GATEHOUSE_SIGNING_ALG (default: the active key's)",
            "  --rotation-period <ISO-8601>     GATEHOUSE_KEY_ROTATION (default P30D)",
            "  --publish-lead <ISO-8601>        default PT1H",
            "  --token-lifetime <ISO-8601>      default GATEHOUSE_ACCESS_TOKEN_TTL + PT30S, or PT5M30S");

    private KeyAdmin() {
    }

    /** Runs the tool and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err, Clock.systemUTC()));
    }

    /** Runs the tool; the exit status. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        Options options;
        try {
            options = Options.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        if (options.help) {
            out.println(USAGE_TEXT);
            return OK;
        }
        DataSource dataSource = new DriverManagerDataSource(options.url, options.user, options.password);
        try {
            switch (options.command) {
                case "list":
                    return list(dataSource, options, out, clock);
                case "rotate":
                    return rotate(dataSource, options, out, clock);
                default:
                    return revoke(dataSource, options, out, clock);
            }
        } catch (ConfigurationException e) {
            err.println("error: " + options.describe(e));
            return USAGE;
        } catch (StoreUnavailableException e) {
            err.println("error: " + e.getMessage() + sqlSummary(e));
            return FAILED;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        }
    }

    private static int list(DataSource dataSource, Options options, PrintStream out, Clock clock) {
        Instant now = clock.instant();
        KeyTimeline timeline = new KeyTimeline(new KeyTable(dataSource, ManagedKeySource.DEFAULT_QUERY_TIMEOUT).load(),
                options.tokenLifetime, options.publishLead);
        if (timeline.rows().isEmpty()) {
            out.println("No signing keys yet: the first node to start creates one.");
            return OK;
        }
        out.println("Signing keys at " + now.truncatedTo(ChronoUnit.SECONDS) + ":");
        String format = "%4s  %-43s  %-5s  %-8s  %-20s  %-20s  %-20s  %s%n";
        out.printf(Locale.ROOT, format, "GEN", "KID", "ALG", "STATE", "ACTIVATES", "RETIRED", "REVOKED", "PRIVATE KEY");
        for (KeyRow row : timeline.rows()) {
            KeyStatus s = timeline.status(row, now);
            out.printf(Locale.ROOT, format, s.generation(), s.kid(), s.algorithm(), lower(s.state()), time(s.activatesAt()),
                    time(s.retiredAt()), time(s.revokedAt()), lower(s.storage()));
        }
        return OK;
    }

    private static int rotate(DataSource dataSource, Options options, PrintStream out, Clock clock) {
        try (ManagedKeySource source = open(dataSource, options, clock)) {
            KeyStatus next = source.rotateNow(options.now);
            if (next.state() == KeyStatus.State.ACTIVE) {
                out.println("Key " + next.kid() + " (generation " + next.generation() + ", " + next.algorithm()
                        + ") signs from now. Other nodes switch at their next refresh.");
            } else {
                out.println("Key " + next.kid() + " (generation " + next.generation() + ", " + next.algorithm()
                        + ") is published now and signs from " + time(next.activatesAt()) + ".");
            }
            return OK;
        }
    }

    private static int revoke(DataSource dataSource, Options options, PrintStream out, Clock clock) {
        try (ManagedKeySource source = open(dataSource, options, clock)) {
            boolean revoked = source.revoke(options.kid);
            out.println(revoked ? "Key " + options.kid + " is revoked: tokens it signed are refused (by other nodes"
                    + " within their refresh interval)." : "Key " + options.kid + " was already revoked.");
            for (KeyStatus s : source.keys()) {
                if (s.state() == KeyStatus.State.ACTIVE) {
                    out.println("Key " + s.kid() + " (generation " + s.generation() + ") signs now.");
                }
            }
            return OK;
        }
    }

    private static ManagedKeySource open(DataSource dataSource, Options options, Clock clock) {
        SigningAlgorithm algorithm = options.algorithm;
        if (algorithm == null) {
            KeyTimeline timeline = new KeyTimeline(new KeyTable(dataSource, ManagedKeySource.DEFAULT_QUERY_TIMEOUT).load(),
                    options.tokenLifetime, options.publishLead);
            KeyRow active = timeline.active(clock.instant());
            algorithm = active == null ? SigningAlgorithm.RS256 : SigningAlgorithm.parse("alg", active.alg());
        }
        ManagedKeySource.Builder builder = ManagedKeySource.builder(dataSource)
                .algorithm(algorithm)
                .rotationPeriod(options.rotationPeriod)
                .publishLead(options.publishLead)
                .tokenLifetime(options.tokenLifetime)
                .refreshInterval(Duration.ZERO)
                .housekeeping(false)
                .clock(clock)
                .allowUnencryptedPrivateKeys(options.allowUnencrypted);
        if (options.keyEncryptionKey != null) {
            builder.keyEncryptionKey(options.keyEncryptionKey);
        }
        ManagedKeySource source = builder.build();
        // build() does not fail on an unreachable database (a node keeps retrying); the tool should
        source.keys();
        return source;
    }

    private static String time(Instant instant) {
        return instant == null ? "-" : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /**
     * What went wrong in the database, from the SQLState alone: driver messages can quote the
     * values of a statement, and this tool never prints anything that might be key material.
     */
    private static String sqlSummary(Throwable e) {
        for (Throwable x = e; x != null; x = x.getCause() == x ? null : x.getCause()) {
            if (x instanceof SQLException) {
                String state = ((SQLException) x).getSQLState();
                String hint;
                if (state == null) {
                    hint = "see the database's log";
                } else if (state.startsWith("08")) {
                    hint = "cannot connect: check the JDBC URL and that the database is up";
                } else if (state.startsWith("28")) {
                    hint = "the database refused the user or password";
                } else if (state.equals("42P01") || state.equals("42S02") || state.equals("42102") || state.equals("42000")) {
                    hint = "is there a table " + KeyTable.TABLE + "? The application creates it at start (JdbcSchema)";
                } else {
                    hint = "see the database's log";
                }
                return " (SQLState " + state + ": " + hint + ")";
            }
        }
        return "";
    }

    /** The parsed command line, with the environment below it. */
    private static final class Options {
        String command;
        String kid;
        boolean now;
        boolean help;
        String url;
        String user;
        String password;
        String keyEncryptionKey;
        boolean keyEncryptionKeyFromOption;
        boolean allowUnencrypted;
        SigningAlgorithm algorithm;
        Duration rotationPeriod = ManagedKeySource.DEFAULT_ROTATION_PERIOD;
        Duration publishLead = ManagedKeySource.DEFAULT_PUBLISH_LEAD;
        Duration tokenLifetime = ManagedKeySource.DEFAULT_TOKEN_LIFETIME;

        static Options parse(String[] args, Map<String, String> env) {
            Options o = new Options();
            Map<String, String> values = new HashMap<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--help":
                    case "-h":
                        o.help = true;
                        return o;
                    case "--now":
                        o.now = true;
                        break;
                    case "--allow-unencrypted":
                        o.allowUnencrypted = true;
                        break;
                    case "--jdbc-url":
                    case "--jdbc-user":
                    case "--jdbc-password":
                    case "--key-encryption-key":
                    case "--algorithm":
                    case "--rotation-period":
                    case "--publish-lead":
                    case "--token-lifetime":
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        values.put(arg, args[++i]);
                        break;
                    default:
                        if (arg.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        positional.add(arg);
                }
            }
            if (positional.isEmpty()) {
                throw new IllegalArgumentException("no command given");
            }
            o.command = positional.get(0);
            switch (o.command) {
                case "list":
                case "rotate":
                    if (positional.size() != 1) {
                        throw new IllegalArgumentException(o.command + " takes no arguments");
                    }
                    break;
                case "revoke":
                    if (positional.size() != 2) {
                        throw new IllegalArgumentException("revoke needs exactly one key id");
                    }
                    o.kid = positional.get(1);
                    break;
                default:
                    throw new IllegalArgumentException("unknown command '" + o.command + "'");
            }
            if (o.now && !o.command.equals("rotate")) {
                throw new IllegalArgumentException("--now belongs to rotate");
            }
            o.url = value(values, env, "--jdbc-url", "GATEHOUSE_JDBC_URL");
            if (o.url == null) {
                throw new IllegalArgumentException("no database: set GATEHOUSE_JDBC_URL or --jdbc-url");
            }
            o.user = value(values, env, "--jdbc-user", "GATEHOUSE_JDBC_USER");
            o.password = value(values, env, "--jdbc-password", "GATEHOUSE_JDBC_PASSWORD");
            o.keyEncryptionKeyFromOption = values.containsKey("--key-encryption-key");
            o.keyEncryptionKey = value(values, env, "--key-encryption-key", "GATEHOUSE_KEY_ENCRYPTION_KEY");
            String alg = value(values, env, "--algorithm", "GATEHOUSE_SIGNING_ALG");
            if (alg != null) {
                o.algorithm = parseAlgorithm(values.containsKey("--algorithm") ? "--algorithm" : "GATEHOUSE_SIGNING_ALG", alg);
            }
            String rotation = value(values, env, "--rotation-period", "GATEHOUSE_KEY_ROTATION");
            if (rotation != null) {
                o.rotationPeriod = duration(values.containsKey("--rotation-period") ? "--rotation-period" : "GATEHOUSE_KEY_ROTATION", rotation);
            }
            String lead = values.get("--publish-lead");
            if (lead != null) {
                o.publishLead = duration("--publish-lead", lead);
            }
            String lifetime = values.get("--token-lifetime");
            String ttl = env.get("GATEHOUSE_ACCESS_TOKEN_TTL");
            if (lifetime != null) {
                o.tokenLifetime = duration("--token-lifetime", lifetime);
            } else if (ttl != null && !ttl.isBlank()) {
                o.tokenLifetime = duration("GATEHOUSE_ACCESS_TOKEN_TTL", ttl).plus(GatehouseSettings.DEFAULT_CLOCK_LEEWAY);
            }
            return o;
        }

        private static String value(Map<String, String> values, Map<String, String> env, String option, String variable) {
            String v = values.containsKey(option) ? values.get(option) : env.get(variable);
            return v == null || v.isBlank() ? null : v.strip();
        }

        private static SigningAlgorithm parseAlgorithm(String name, String value) {
            try {
                return SigningAlgorithm.parse(name, value);
            } catch (ConfigurationException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }

        private static Duration duration(String name, String value) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + ": '" + value + "' is not an ISO-8601 duration such as P30D");
            }
        }

        /** A configuration error, with the builder's setting names translated to this tool's. */
        String describe(ConfigurationException e) {
            switch (e.setting()) {
                case "keyEncryptionKey":
                    return (keyEncryptionKeyFromOption ? "--key-encryption-key" : "GATEHOUSE_KEY_ENCRYPTION_KEY") + ": "
                            + e.problem().replace("allowUnencryptedPrivateKeys", "--allow-unencrypted");
                case "allowUnencryptedPrivateKeys":
                    return "--allow-unencrypted cannot be combined with a key-encryption key";
                case "rotationPeriod":
                    return "--rotation-period / GATEHOUSE_KEY_ROTATION: " + e.problem();
                case "publishLead":
                    return "--publish-lead: " + e.problem();
                case "tokenLifetime":
                    return "--token-lifetime: " + e.problem();
                default:
                    return e.getMessage();
            }
        }
    }

    /** Connections straight from {@link DriverManager}: a one-off tool needs no pool. */
    private static final class DriverManagerDataSource implements DataSource {
        private final String url;
        private final String user;
        private final String password;

        DriverManagerDataSource(String url, String user, String password) {
            this.url = url;
            this.user = user;
            this.password = password;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return getConnection(user, password);
        }

        @Override
        public Connection getConnection(String username, String pass) throws SQLException {
            return username == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, username,
                    pass == null ? "" : pass);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // not used
        }

        @Override
        public void setLoginTimeout(int seconds) {
            DriverManager.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() {
            return DriverManager.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            if (type.isInstance(this)) {
                return type.cast(this);
            }
            throw new SQLException("not a wrapper of " + type.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return type.isInstance(this);
        }
    }
}
