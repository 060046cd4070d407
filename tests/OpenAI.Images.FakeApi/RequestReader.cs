using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace OpenAI.Images.FakeApi;

/// <summary>Turns an incoming request into a <see cref="RecordedRequest"/> (whole body read, JSON / multipart parsed).</summary>
internal static class RequestReader
{
    public static async Task<RecordedRequest> ReadAsync(HttpContext context, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        HttpRequest request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        byte[] body = buffer.ToArray();

        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, StringValues> header in request.Headers)
        {
            headers[header.Key] = header.Value.ToArray()!;
        }

        string? contentType = request.ContentType;
        JsonNode? json = null;
        IReadOnlyList<RecordedPart> parts = Array.Empty<RecordedPart>();
        string? multipartError = null;

        if (contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? mediaType))
        {
            if (mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                (parts, multipartError) = await ParseMultipartAsync(mediaType, body, cancellationToken).ConfigureAwait(false);
            }
            else if (mediaType.MediaType.Value is string mt && (mt.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || mt.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) && body.Length > 0)
            {
                try
                {
                    json = JsonNode.Parse(body);
                }
                catch (JsonException)
                {
                    json = null;
                }
            }
        }

        return new RecordedRequest(
            0, // numbered by FakeOpenAIServer.Record
            request.Method,
            request.Path.Value ?? "/",
            request.QueryString.Value ?? string.Empty,
            headers,
            contentType,
            body,
            json,
            parts,
            multipartError,
            receivedAt,
            context.Connection.Id,
            request.Protocol);
    }

    /// <summary>
    /// Parses with <see cref="MultipartReader"/>, which decodes part header lines as UTF-8: a raw UTF-8
    /// <c>filename="фото.png"</c> arrives intact (the tests pin this down).
    /// </summary>
    private static async Task<(IReadOnlyList<RecordedPart> Parts, string? Error)> ParseMultipartAsync(MediaTypeHeaderValue mediaType, byte[] body, CancellationToken cancellationToken)
    {
        string boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value ?? string.Empty;
        if (boundary.Length == 0)
        {
            return (Array.Empty<RecordedPart>(), "multipart/form-data without a boundary parameter");
        }

        var parts = new List<RecordedPart>();
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body, writable: false))
            {
                HeadersCountLimit = 64,
                HeadersLengthLimit = 64 * 1024,
            };
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false)) is not null)
            {
                var partHeaders = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
                if (section.Headers is not null)
                {
                    foreach (KeyValuePair<string, StringValues> h in section.Headers)
                    {
                        partHeaders[h.Key] = h.Value.ToArray()!;
                    }
                }

                string? disposition = section.ContentDisposition;
                string? name = null;
                string? fileName = null;
                if (disposition is not null && ContentDispositionHeaderValue.TryParse(disposition, out ContentDispositionHeaderValue? cd))
                {
                    name = cd.Name.HasValue ? HeaderUtilities.RemoveQuotes(cd.Name).Value : null;
                    if (cd.FileNameStar.HasValue)
                    {
                        fileName = cd.FileNameStar.Value;
                    }
                    else if (cd.FileName.HasValue)
                    {
                        fileName = HeaderUtilities.RemoveQuotes(cd.FileName).Value;
                    }
                }

                using var data = new MemoryStream();
                await section.Body.CopyToAsync(data, cancellationToken).ConfigureAwait(false);
                parts.Add(new RecordedPart(name, fileName, section.ContentType, disposition, partHeaders, data.ToArray()));
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException)
        {
            return (parts, ex.Message);
        }

        return (parts, null);
    }
}
