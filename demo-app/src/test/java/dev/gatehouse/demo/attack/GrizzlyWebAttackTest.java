package dev.gatehouse.demo.attack;

import dev.gatehouse.demo.DemoContract;
import dev.gatehouse.demo.DemoSettings;
import dev.gatehouse.demo.grizzly.DemoMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** The web attacks against the standalone demo on Jersey + Grizzly, in-process on port 0, on a fresh H2 file database. */
class GrizzlyWebAttackTest extends WebAttackContract {
    private static final int GRIZZLY_MAX_HEADER_SECTION = 8 * 1024;
    @TempDir
    static Path dir;
    private DemoMain.Running running;

    @BeforeAll
    void start() throws Exception {
        running = DemoMain.start(DemoSettings.from(Map.of(
                "GATEHOUSE_PORT", "0",
                "GATEHOUSE_KEY_ENCRYPTION_KEY", DemoContract.newKeyEncryptionKey(),
                "GATEHOUSE_JDBC_URL", "jdbc:h2:file:" + dir.resolve("attack").toAbsolutePath(),
                "GATEHOUSE_PEPPER", DemoContract.newPepper(),
                "GATEHOUSE_BCRYPT_COST", String.valueOf(BCRYPT_COST),
                "GATEHOUSE_TEST_MODE", "true"), name -> null, name -> null));
    }

    @AfterAll
    void stop() {
        if (running != null) {
            running.stop();
        }
    }

    @Override
    protected URI base() {
        return URI.create(running.url);
    }

    /** Grizzly's {@code maxHttpHeaderSize} default (8 KiB): above it, {@code 400} and the connection closed. */
    @Override
    protected int statusForHeaderSection(int bytes) {
        return bytes > GRIZZLY_MAX_HEADER_SECTION ? 400 : 200;
    }
}
