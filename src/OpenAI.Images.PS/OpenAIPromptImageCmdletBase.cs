using System.Management.Automation;
using OpenAI.Images;

namespace OpenAI.Images.PowerShell
{
    /// <summary>What New-OpenAIImage and Edit-OpenAIImage share: the GPT image model output options and streaming.</summary>
    public abstract class OpenAIPromptImageCmdletBase : OpenAIImageCmdletBase
    {
        /// <summary>transparent, opaque or auto (GPT image models).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(Completers.ModelValueCompleter))]
        public string? Background { get; set; }

        /// <summary>png, jpeg or webp (GPT image models).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(Completers.ModelValueCompleter))]
        public string? OutputFormat { get; set; }

        /// <summary>0-100 compression for jpeg and webp output.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int? OutputCompression { get; set; }

        /// <summary>Stream the response (GPT image models).</summary>
        [Parameter]
        public SwitchParameter Stream { get; set; }

        /// <summary>Partial images to stream before the final one, 0-3; implies -Stream.</summary>
        [Parameter]
        [ValidateRange(0, 3)]
        public int? PartialImages { get; set; }

        /// <summary>Copies the common and the prompt-request parameters onto <paramref name="request"/>.</summary>
        protected T WithPromptParameters<T>(T request, string prompt, string? quality)
            where T : PromptImageRequest
        {
            WithCommonParameters(request);
            request.Prompt = prompt;
            request.Quality = Normalize("Quality", quality);
            request.Background = Normalize(nameof(Background), Background);
            request.OutputFormat = Normalize(nameof(OutputFormat), OutputFormat);
            request.OutputCompression = OutputCompression;
            request.Stream = Stream.IsPresent;
            request.PartialImages = PartialImages;
            return request;
        }
    }
}
