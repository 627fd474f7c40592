package dev.gatehouse.token;

import java.util.Objects;

/**
 * A setting is missing or wrong. Thrown at start-up, never at request time, and always names the
 * setting so that an operator knows what to fix.
 */
public final class ConfigurationException extends GatehouseException {
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final String problem;

    public ConfigurationException(String setting, String problem) {
        super("Invalid Gatehouse setting '" + Objects.requireNonNull(setting, "setting") + "': " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    public ConfigurationException(String setting, String problem, Throwable cause) {
        super("Invalid Gatehouse setting '" + Objects.requireNonNull(setting, "setting") + "': " + problem, cause);
        this.setting = setting;
        this.problem = problem;
    }

    /**
     * The same problem reported under another setting's name: for a caller whose users know the
     * setting by another name (an init-param, an environment variable) than the API's.
     */
    public ConfigurationException forSetting(String name) {
        return new ConfigurationException(name, problem(), this);
    }

    /** What is wrong, without the setting's name. */
    public String problem() {
        return problem;
    }

    /** The name of the offending setting (an init-param, property or builder method name). */
    public String setting() {
        return setting;
    }
}
