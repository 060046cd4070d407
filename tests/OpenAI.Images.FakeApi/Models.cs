using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace OpenAI.Images.FakeApi;

/// <summary>One model object of <c>GET /models</c>, in OpenAI's wire format.</summary>
/// <param name="Id">The model id.</param>
/// <param name="Created">Unix seconds.</param>
/// <param name="OwnedBy">owned_by.</param>
/// <param name="ShutdownDate"><c>shutdown_date</c> (yyyy-MM-dd), or null for <c>"shutdown_date": null</c>.</param>
/// <param name="OmitShutdownDate">Leave the <c>shutdown_date</c> property out (servers older than the 2026 spec, compatible servers).</param>
public sealed record FakeModel(string Id, long Created = 1_700_000_000, string OwnedBy = "system", string? ShutdownDate = null, bool OmitShutdownDate = false);

public sealed partial class FakeOpenAIServer
{
    /// <summary>
    /// What <c>GET /models</c> lists today at OpenAI for an ordinary key: the live image models (with
    /// <c>shutdown_date</c> null) among other models. Retired models are no longer listed.
    /// </summary>
    public static readonly IReadOnlyList<FakeModel> DefaultModels = new[]
    {
        new FakeModel("gpt-4o", 1_715_367_049),
        new FakeModel("gpt-image-2", 1_776_729_600),
        new FakeModel("gpt-image-2-2026-04-21", 1_776_729_600),
        new FakeModel("gpt-image-2.5-sunburst", 1_788_825_600),
        new FakeModel("gpt-image-2.5-sunburst-2026-09-08", 1_788_825_600),
        new FakeModel("gpt-image-2.5-flare", 1_788_825_600),
        new FakeModel("gpt-image-2.5-flare-2026-09-08", 1_788_825_600),
        new FakeModel("gpt-image-2.6-sunburst", 1_793_577_600),
        new FakeModel("gpt-image-2.6-flare", 1_793_577_600),
        new FakeModel("text-embedding-3-small", 1_705_948_997),
        new FakeModel("whisper-1", 1_677_532_384, "openai-internal"),
    };

    /// <summary>The models <c>GET /models</c> lists (in this order); null: the route does not exist (404, as on servers without it). <see cref="Reset"/> restores <see cref="DefaultModels"/>.</summary>
    public IReadOnlyList<FakeModel>? Models { get; set; } = DefaultModels;

    /// <summary><c>GET /models</c>: <c>{"object":"list","data":[{"id","object":"model","created","owned_by","shutdown_date"}]}</c>.</summary>
    private Reply? ListModels(string method)
    {
        IReadOnlyList<FakeModel>? models = Models;
        if (method != "GET" || models is null)
        {
            return null;
        }

        Reply reply = Reply.FromBytes(200, "application/json", Json.Write(
            w =>
            {
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                foreach (FakeModel m in models)
                {
                    w.WriteStartObject();
                    w.WriteString("id", m.Id);
                    w.WriteString("object", "model");
                    w.WriteNumber("created", m.Created);
                    w.WriteString("owned_by", m.OwnedBy);
                    if (!m.OmitShutdownDate)
                    {
                        Json.WriteNullable(w, "shutdown_date", m.ShutdownDate);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            },
            indented: true));
        reply.AddOpenAIHeaders();
        return reply;
    }

    /// <summary>
    /// <c>POST /_fake/models</c>: <c>{"models":[{"id","created","owned_by","shutdown_date"}]}</c> (a model without a
    /// <c>shutdown_date</c> property is listed without one), <c>{"models":null}</c> (no /models route: 404) or
    /// <c>{"reset":true}</c> (the default list) → the list now served.
    /// </summary>
    private Reply SetModels(JsonObject? body)
    {
        CheckKeys(body, "models", new[] { "models", "reset" });
        if (GetBool(body, "reset") == true)
        {
            Models = DefaultModels;
        }
        else if (body is not null && body.ContainsKey("models"))
        {
            Models = body["models"] switch
            {
                null => null,
                JsonArray array => array.Select(ParseModel).ToArray(),
                JsonNode n => throw new ControlException($"\"models\" must be an array of model objects or null, not {n.ToJsonString()}."),
            };
        }

        return ControlJson(200, Json.Write(w =>
        {
            w.WriteStartObject();
            IReadOnlyList<FakeModel>? now = Models;
            if (now is null)
            {
                w.WriteNull("models");
            }
            else
            {
                w.WriteStartArray("models");
                foreach (FakeModel m in now)
                {
                    w.WriteStringValue(m.Id);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }));
    }

    private static FakeModel ParseModel(JsonNode? node)
    {
        if (node is not JsonObject o)
        {
            throw new ControlException("Each model must be an object with an \"id\".");
        }

        CheckKeys(o, "models", new[] { "id", "created", "owned_by", "shutdown_date" });
        string id = GetString(o, "id") ?? throw new ControlException("A model needs an \"id\".");
        return new FakeModel(
            id,
            GetInt(o, "created") ?? 1_700_000_000,
            GetString(o, "owned_by") ?? "system",
            GetString(o, "shutdown_date"),
            OmitShutdownDate: !o.ContainsKey("shutdown_date"));
    }
}
