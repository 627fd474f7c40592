/*
 * Copyright 2026 The Gatehouse Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

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
