using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

public class AuthTests
{
    [Fact]
    public async Task ExpectedApiKey_AcceptsBearerOrApiKey_AndRejectsOthersWithOpenAIs401()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { ExpectedApiKey = "sk-right-key-123456" });
        const string body = """{"prompt":"p"}""";

        using HttpClient bearer = Client(server, "sk-right-key-123456");
        Assert.Equal(HttpStatusCode.OK, (await bearer.PostAsync("images/generations", JsonBody(body), Ct)).StatusCode);

        using HttpClient azure = Client(server, apiKey: null);
        azure.DefaultRequestHeaders.Add("api-key", "sk-right-key-123456");
        Assert.Equal(HttpStatusCode.OK, (await azure.PostAsync("images/generations", JsonBody(body), Ct)).StatusCode);

        server.Enqueue(FakeResponse.Error(500, "must not be used by a 401"));
        using HttpClient wrong = Client(server, "sk-wrong-key-abcdef");
        using HttpResponseMessage rejected = await wrong.PostAsync("images/generations", JsonBody(body), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        JsonNode error = (await ReadJsonObjectAsync(rejected))["error"]!;
        Assert.Equal("invalid_api_key", (string?)error["code"]);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.StartsWith("Incorrect API key provided: sk-************cdef.", (string)error["message"]!);
        Assert.DoesNotContain("sk-wrong-key-abcdef", (string)error["message"]!);
        Assert.True(rejected.Headers.Contains("x-request-id"));
        Assert.Equal(1, server.PendingResponses);

        using HttpClient none = Client(server, apiKey: null);
        using HttpResponseMessage missing = await none.PostAsync("images/generations", JsonBody(body), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.StartsWith("You didn't provide an API key.", (string)(await ReadJsonObjectAsync(missing))["error"]!["message"]!);

        Assert.Equal(4, server.Requests.Count);
        Assert.Equal("Bearer sk-wrong-key-abcdef", server.Requests[2].Header("authorization"));
    }

    [Fact]
    public async Task Downloads_NeedNoKey()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { ExpectedApiKey = "k" });
        using HttpClient client = Client(server, "k");
        string url = (string)(await ReadJsonObjectAsync(await client.PostAsync("images/generations", JsonBody("""{"prompt":"p"}"""), Ct)))["data"]![0]!["url"]!;

        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url, Ct)).StatusCode);
    }
}
