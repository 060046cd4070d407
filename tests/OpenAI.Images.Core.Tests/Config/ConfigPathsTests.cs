using System.Collections.Generic;
using System.IO;
using OpenAI.Images.Config;

namespace OpenAI.Images.Core.Tests.Config;

public sealed class ConfigPathsTests
{
    private static System.Func<string, string?> Env(Dictionary<string, string?> values) => name => values.TryGetValue(name, out string? v) ? v : null;

    [Fact]
    public void LinuxAndMacOSUseXdgConfigHomeThenHomeDotConfig()
    {
        Assert.Equal(
            Path.Combine("/xdg", "OpenAI.Images", "config.json"),
            ConfigPaths.DefaultFile(Env(new() { ["XDG_CONFIG_HOME"] = "/xdg", ["HOME"] = "/home/u" }), windows: false));
        Assert.Equal(
            Path.Combine("/home/u", ".config", "OpenAI.Images", "config.json"),
            ConfigPaths.DefaultFile(Env(new() { ["HOME"] = "/home/u" }), windows: false));

        // A relative XDG_CONFIG_HOME is invalid by the XDG spec and ignored.
        Assert.Equal(
            Path.Combine("/home/u", ".config", "OpenAI.Images", "config.json"),
            ConfigPaths.DefaultFile(Env(new() { ["XDG_CONFIG_HOME"] = "relative", ["HOME"] = "/home/u" }), windows: false));
    }

    [Fact]
    public void WindowsUsesAppData()
    {
        string appData = Path.Combine(Path.GetTempPath(), "AppData", "Roaming");
        Assert.Equal(
            Path.Combine(appData, "OpenAI.Images", "config.json"),
            ConfigPaths.DefaultFile(Env(new() { ["APPDATA"] = appData, ["XDG_CONFIG_HOME"] = "/xdg" }), windows: true));
    }
}
