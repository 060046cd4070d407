using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using OpenAI.Images.Json;

namespace OpenAI.Images.Http
{
    /// <summary>Turns request records into the wire format: JSON for generations, multipart/form-data for edits and variations.</summary>
    internal static class RequestBody
    {
        /// <summary>
        /// The request's text fields, in the order they are sent, with API names, -AdditionalBody merged in (see
        /// <see cref="AdditionalBody"/>). Values are string, int, bool or (from -AdditionalBody) <see cref="JsonValue"/>.
        /// </summary>
        public static List<KeyValuePair<string, object>> Fields(ImageRequest request) =>
            Fields(request, AdditionalBody.Convert(request.AdditionalBody));

        /// <summary>The same, with the request's -AdditionalBody already converted (a batch line needs it twice).</summary>
        public static List<KeyValuePair<string, object>> Fields(ImageRequest request, IReadOnlyList<KeyValuePair<string, JsonValue>> extras) =>
            AdditionalBody.Merge(ModuleFields(request), extras);

        /// <summary>The fields the module itself sends for the request's parameters (string, int or bool values).</summary>
        public static List<KeyValuePair<string, object>> ModuleFields(ImageRequest request)
        {
            var fields = new List<KeyValuePair<string, object>>();
            void Add(string name, object? value)
            {
                if (value != null)
                {
                    fields.Add(new KeyValuePair<string, object>(name, value));
                }
            }

            var p = request as PromptImageRequest;
            var g = request as ImageGenerationRequest;
            var e = request as ImageEditRequest;
            Add("prompt", p?.Prompt);
            Add("model", request.Model);
            Add("n", request.Count);
            Add("size", request.Size);
            Add("quality", p?.Quality);
            Add("style", g?.Style);
            Add("background", p?.Background);
            Add("moderation", g?.Moderation);
            Add("input_fidelity", e?.InputFidelity);
            Add("output_format", p?.OutputFormat);
            Add("output_compression", p?.OutputCompression);
            Add("response_format", request.ResponseFormat);
            Add("user", request.User);
            if (p != null && p.IsStreaming)
            {
                Add("stream", true);
                Add("partial_images", p.PartialImages);
            }

            return fields;
        }

        /// <summary>The files of a multipart request with their field names: "image" for one image, "image[]" for several (as OpenAI's SDKs send them), then "mask".</summary>
        public static List<KeyValuePair<string, ImageInputFile>> Files(ImageRequest request)
        {
            var files = new List<KeyValuePair<string, ImageInputFile>>();
            switch (request)
            {
                case ImageEditRequest e:
                    string name = e.Images.Count > 1 ? "image[]" : "image";
                    files.AddRange(e.Images.Select(i => new KeyValuePair<string, ImageInputFile>(name, i)));
                    if (e.Mask != null)
                    {
                        files.Add(new KeyValuePair<string, ImageInputFile>("mask", e.Mask));
                    }

                    break;
                case ImageVariationRequest v when v.Image != null:
                    files.Add(new KeyValuePair<string, ImageInputFile>("image", v.Image));
                    break;
            }

            return files;
        }

        public static HttpContent Create(ImageRequest request, ClientDiagnostics diagnostics)
        {
            if (request is ImageGenerationRequest)
            {
                var content = new ByteArrayContent(Json(request));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                return content;
            }

            var form = new MultipartFormContent();
            foreach (KeyValuePair<string, object> field in Fields(request))
            {
                form.AddField(field.Key, Text(field.Value));
            }

            List<KeyValuePair<string, ImageInputFile>> files = Files(request);
            foreach (KeyValuePair<string, ImageInputFile> file in files)
            {
                string path = file.Value.Path;
                form.AddFile(file.Key, file.Value.FileName, file.Value.ContentType, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true), file.Value.Length);
            }

            if (diagnostics.UploadProgress is { } progress)
            {
                long total = files.Sum(f => f.Value.Length);
                form.Progress = sent => progress(sent, total);
            }

            return form;
        }

        public static byte[] Json(ImageRequest request)
        {
            var writer = new JsonWriter();
            writer.WriteStartObject();
            foreach (KeyValuePair<string, object> field in Fields(request))
            {
                WriteField(writer, field);
            }

            writer.WriteEndObject();
            return writer.ToUtf8Bytes();
        }

        /// <summary>Writes one field of <see cref="Fields(ImageRequest)"/> as a JSON property.</summary>
        internal static void WriteField(JsonWriter writer, KeyValuePair<string, object> field)
        {
            switch (field.Value)
            {
                case int i:
                    writer.WriteNumber(field.Key, i);
                    break;
                case bool b:
                    writer.WriteBoolean(field.Key, b);
                    break;
                case JsonValue j:
                    writer.WriteValue(field.Key, j);
                    break;
                default:
                    writer.WriteString(field.Key, (string)field.Value);
                    break;
            }
        }

        private static string Text(object value) => value switch
        {
            bool b => b ? "true" : "false",
            int i => i.ToString(CultureInfo.InvariantCulture),
            JsonValue j => AdditionalBody.Text(j),
            _ => (string)value,
        };

        /// <summary>A one-line description of the body for -Debug traces (text fields and file names, no image bytes).</summary>
        public static string Summarize(ImageRequest request)
        {
            if (request is ImageGenerationRequest)
            {
                return Encoding.UTF8.GetString(Json(request));
            }

            var sb = new StringBuilder("multipart/form-data: ");
            sb.Append(string.Join("; ", Fields(request).Select(f => f.Key + "=" + Shorten(Text(f.Value)))));
            foreach (KeyValuePair<string, ImageInputFile> file in Files(request))
            {
                sb.Append("; ").Append(file.Key).Append("=@").Append(file.Value.FileName)
                  .Append(" (").Append(file.Value.ContentType).Append(", ").Append(file.Value.Length.ToString(CultureInfo.InvariantCulture)).Append(" bytes)");
            }

            return sb.ToString();
        }

        private static string Shorten(string value) => value.Length <= 200 ? value : value.Substring(0, 197) + "...";
    }
}
