using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using OpenAI.Images.Config;
using OpenAI.Images.Json;

namespace OpenAI.Images.Core.Tests.Config;

public sealed class ConfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("openai-images-config-").FullName;

    private string Path1 => Path.Combine(_dir, "OpenAI.Images", "config.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ProfileSettings Full() => new()
    {
        BaseUri = new Uri("https://example.test/v1"),
        ApiType = OpenAIApiType.AzureOpenAI,
        AzureDeployment = "dep",
        ApiVersion = "2025-04-01-preview",
        Organization = "org-1",
        Project = "proj_1",
        Proxy = new Uri("http://proxy.test:3128"),
        TimeoutSec = 30,
        MaxRetries = 0,
        DefaultModel = "gpt-image-1",
        AllowInsecureHttp = true,
        ApiKeyVault = "LocalStore",
        ApiKeySecret = "OpenAI.Images-default",
        ProxyCredentialVault = "LocalStore",
        ProxyCredentialSecret = "OpenAI.Images-default-Proxy",
    };

    [Fact]
    public void AMissingFileOrFolderIsAnEmptyDocument()
    {
        Assert.Empty(ConfigFile.Load(Path1).ProfileNames);
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path1)));
    }

    [Fact]
    public void EverySettingRoundTripsAndUnknownPropertiesAreKept()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path1)!);
        File.WriteAllText(Path1, "{\"version\":1,\"future\":{\"x\":[1,2]},\"profiles\":{\"Work\":{\"maxRetries\":3,\"newSetting\":\"keep me\",\"organization\":null}}}");

        ConfigFile.Update(Path1, doc =>
        {
            doc.Set("default", Full());
            ProfileSettings work = doc.Get("work")!;
            Assert.Equal(3, work.MaxRetries);
            work.TimeoutSec = 9;
            doc.Set("WORK", work);
            return true;
        });

        ConfigDocument read = ConfigFile.Load(Path1);
        Assert.Equal(new[] { "Work", "default" }, read.ProfileNames);
        ProfileSettings d = read.Get("DEFAULT")!;
        ProfileSettings f = Full();
        Assert.Equal(f.BaseUri, d.BaseUri);
        Assert.Equal(f.ApiType, d.ApiType);
        Assert.Equal(f.AzureDeployment, d.AzureDeployment);
        Assert.Equal(f.ApiVersion, d.ApiVersion);
        Assert.Equal(f.Organization, d.Organization);
        Assert.Equal(f.Project, d.Project);
        Assert.Equal(f.Proxy, d.Proxy);
        Assert.Equal(f.TimeoutSec, d.TimeoutSec);
        Assert.Equal(f.MaxRetries, d.MaxRetries);
        Assert.Equal(f.DefaultModel, d.DefaultModel);
        Assert.Equal(f.AllowInsecureHttp, d.AllowInsecureHttp);
        Assert.Equal(f.ApiKeyVault, d.ApiKeyVault);
        Assert.Equal(f.ApiKeySecret, d.ApiKeySecret);
        Assert.Equal(f.ProxyCredentialVault, d.ProxyCredentialVault);
        Assert.Equal(f.ProxyCredentialSecret, d.ProxyCredentialSecret);

        string text = File.ReadAllText(Path1);
        Assert.Contains("\"newSetting\": \"keep me\"", text);
        Assert.Contains("\"future\": {\n    \"x\": [\n      1,\n      2\n    ]\n  }", text);
        Assert.Equal(9, read.Get("work")!.TimeoutSec);
        Assert.Equal(3, read.Get("work")!.MaxRetries);
    }

    [Fact]
    public void WritesLeaveNoTemporaryFilesAndAnUnchangedDocumentIsNotRewritten()
    {
        ConfigFile.Update(Path1, doc =>
        {
            doc.Set("default", new ProfileSettings { MaxRetries = 1 });
            return true;
        });
        string folder = Path.GetDirectoryName(Path1)!;
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        DateTime written = File.GetLastWriteTimeUtc(Path1);
        File.SetLastWriteTimeUtc(Path1, written.AddHours(-1));

        ConfigFile.Update(Path1, _ => false);
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(Path1));
    }

    [Fact]
    public void AChangeThatFailsLeavesTheFileAsItWas()
    {
        ConfigFile.Update(Path1, doc =>
        {
            doc.Set("default", new ProfileSettings { MaxRetries = 1 });
            return true;
        });
        byte[] before = File.ReadAllBytes(Path1);

        Assert.Throws<InvalidOperationException>(() => ConfigFile.Update(Path1, doc =>
        {
            doc.Set("default", new ProfileSettings { MaxRetries = 2 });
            throw new InvalidOperationException("crash in the middle");
        }));

        Assert.Equal(before, File.ReadAllBytes(Path1));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Path1)!, "*.tmp"));
    }

    [Fact]
    public void AFailedWriteIsAConfigWriteFailedErrorAndLeavesNoTemporaryFile()
    {
        Directory.CreateDirectory(Path1); // the file's name is taken by a folder: the rename fails
        var error = Assert.Throws<OpenAIConfigException>(() => ConfigFile.Update(Path1, doc =>
        {
            doc.Set("default", new ProfileSettings { MaxRetries = 1 });
            return true;
        }));
        Assert.Equal(OpenAIConfigException.ConfigWriteFailed, error.ErrorId);
        Assert.Contains(Path1, error.Message);
        Assert.Contains("-Scope Process", error.Message);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Path1)!, "*.tmp"));

        string blocked = Path.Combine(_dir, "a-file");
        File.WriteAllText(blocked, "x");
        var noFolder = Assert.Throws<OpenAIConfigException>(() => ConfigFile.Update(Path.Combine(blocked, "OpenAI.Images", "config.json"), _ => true));
        Assert.Equal(OpenAIConfigException.ConfigWriteFailed, noFolder.ErrorId);
    }

    [Theory]
    [InlineData("{\"profiles\":{\"default\":{\"baseUri\":", "not valid JSON")]
    [InlineData("{\"profiles\":[]}", "\"profiles\" is not a JSON object")]
    [InlineData("\"text\"", "top level is not a JSON object")]
    [InlineData("{\"profiles\":{\"default\":3}}", "the profile 'default' is not a JSON object")]
    [InlineData("{\"profiles\":{\"a\":{},\"A\":{}}}", "the profile 'A' appears twice")]
    [InlineData("{\"profiles\":{\"default\":{\"baseUri\":\"relative/path\"}}}", "\"baseUri\" of the profile 'default' is 'relative/path'")]
    [InlineData("{\"profiles\":{\"default\":{\"proxy\":\"ftp://x\"}}}", "\"proxy\"")]
    [InlineData("{\"profiles\":{\"default\":{\"apiType\":\"Gemini\"}}}", "\"apiType\" of the profile 'default' is 'Gemini'")]
    [InlineData("{\"profiles\":{\"default\":{\"timeoutSec\":0}}}", "\"timeoutSec\" of the profile 'default' must be a whole number from 1 to 86400")]
    [InlineData("{\"profiles\":{\"default\":{\"maxRetries\":1.5}}}", "\"maxRetries\"")]
    [InlineData("{\"profiles\":{\"default\":{\"allowInsecureHttp\":\"yes\"}}}", "must be true or false")]
    [InlineData("{\"profiles\":{\"default\":{\"organization\":42}}}", "\"organization\" of the profile 'default' must be a string")]
    public void ACorruptFileIsAConfigCorruptErrorNamingTheFileAndTheFix(string content, string detail)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path1)!);
        File.WriteAllText(Path1, content);

        var error = Assert.Throws<OpenAIConfigException>(() => ConfigFile.Load(Path1));
        Assert.Equal(OpenAIConfigException.ConfigCorrupt, error.ErrorId);
        Assert.Equal(OpenAIErrorKind.Configuration, error.Kind);
        Assert.Equal(Path1, error.Target);
        Assert.Contains(Path1, error.Message);
        Assert.Contains(detail, error.Message);
        Assert.Contains("Remove-Item -LiteralPath", error.Message);

        Assert.Throws<OpenAIConfigException>(() => ConfigFile.Update(Path1, _ => true));
        Assert.Equal(content, File.ReadAllText(Path1));
    }

    [Fact]
    public void InvalidUtf8IsCorruptButAByteOrderMarkAndABlankFileAreFine()
    {
        var error = Assert.Throws<OpenAIConfigException>(() => ConfigFile.Parse(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' }, "p"));
        Assert.Contains("not UTF-8", error.Message);

        byte[] withBom = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("{\"profiles\":{\"x\":{\"project\":\"p\"}}}")).ToArray();
        Assert.Equal("p", ConfigFile.Parse(withBom, "p").Get("x")!.Project);
        Assert.Empty(ConfigFile.Parse(Encoding.UTF8.GetBytes("  \n"), "p").ProfileNames);
    }

    [Fact]
    public void ConcurrentWritersTakeTurnsAndLoseNoUpdate()
    {
        Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            ConfigFile.Update(Path1, doc =>
            {
                doc.Set("p" + i, new ProfileSettings { MaxRetries = i % 20 });
                return true;
            });
        });

        ConfigDocument doc = ConfigFile.Load(Path1);
        Assert.Equal(40, doc.ProfileNames.Count);
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal(i % 20, doc.Get("p" + i)!.MaxRetries));
    }

    [Fact]
    public void RemovingAProfileReportsWhetherItExisted()
    {
        ConfigFile.Update(Path1, doc =>
        {
            doc.Set("a", new ProfileSettings());
            doc.Set("b", new ProfileSettings { Project = "x" });
            return true;
        });

        ConfigFile.Update(Path1, doc => doc.Remove("A"));
        ConfigFile.Update(Path1, doc =>
        {
            Assert.False(doc.Remove("missing"));
            return false;
        });
        Assert.Equal(new[] { "b" }, ConfigFile.Load(Path1).ProfileNames);
        Assert.Equal("{\n  \"version\": 1,\n  \"profiles\": {\n    \"b\": {\n      \"project\": \"x\"\n    }\n  }\n}\n", File.ReadAllText(Path1));
    }

    [Fact]
    public void TheDocumentIsWrittenWithTheCoresJsonWriterEscapingRules()
    {
        var value = JsonValue.CreateObject(new[]
        {
            new System.Collections.Generic.KeyValuePair<string, JsonValue>("q\"uote", JsonValue.FromString("line\nbreak\u0001")),
            new System.Collections.Generic.KeyValuePair<string, JsonValue>("empty", JsonValue.CreateObject(Array.Empty<System.Collections.Generic.KeyValuePair<string, JsonValue>>())),
        });
        string text = ConfigFile.Serialize(value);
        Assert.Equal("{\n  \"q\\\"uote\": \"line\\nbreak\\u0001\",\n  \"empty\": {}\n}\n", text);
        Assert.Equal("line\nbreak\u0001", JsonValue.Parse(text)["q\"uote"]!.GetString());
    }
}
