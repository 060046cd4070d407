using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.PowerShell.Completers;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Edits or extends images from a prompt (POST /images/edits).</para>
    /// </summary>
    [Cmdlet(VerbsData.Edit, "OpenAIImage", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ImageResult))]
    public sealed class EditOpenAIImageCommand : OpenAIPromptImageCmdletBase
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        /// <summary>What to change.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Prompt { get; set; } = string.Empty;

        /// <summary>The image files (wildcards allowed); several in one call are one request with several images.</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        /// <summary>The image files, taken literally.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>A PNG whose transparent areas mark where to edit (same size as the first image).</summary>
        [Parameter]
        public string? Mask { get; set; }

        /// <summary>Output size.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(SizeCompleter))]
        public string? Size { get; set; }

        /// <summary>low, medium, high, auto; xhigh and max on the 2.5 and 2.6 models; standard on dall-e-2 (any value for a model the module does not know).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Quality { get; set; }

        /// <summary>high or low: how closely to keep the input's features.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? InputFidelity { get; set; }

        /// <inheritdoc />
        protected override string ActivityName => "Edit-OpenAIImage";

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            ExpectWork(1);
            bool literal = ParameterSetName == LiteralPathSet;
            string[] given = literal ? LiteralPath : Path;
            List<string> files = ResolveInputFiles(given, literal);
            if (files.Count == 0)
            {
                CountFailedBeforeStart();
                return;
            }

            ImageEditRequest request = WithPromptParameters(new ImageEditRequest(), Prompt, Quality);
            request.Size = Size;
            request.InputFidelity = Normalize(nameof(InputFidelity), InputFidelity);

            object target = files.Count == 1 ? (object)files[0] : files.ToArray();
            foreach (string file in files)
            {
                ImageInputFile? input = ReadInput(file, file);
                if (input is null)
                {
                    CountFailedBeforeStart();
                    return;
                }

                request.Images.Add(input);
            }

            if (Mask != null)
            {
                List<string> mask = ResolveInputFiles(new[] { Mask }, literal: true);
                if (mask.Count == 0)
                {
                    CountFailedBeforeStart();
                    return;
                }

                request.Mask = ReadInput(mask[0], Mask);
                if (request.Mask is null)
                {
                    CountFailedBeforeStart();
                    return;
                }
            }

            string names = string.Join(", ", files.Select(f => System.IO.Path.GetFileName(f)));
            Submit(request, target, $"{names}: '{Prompt}'", ImageFiles.Slug(System.IO.Path.GetFileNameWithoutExtension(files[0])) + "-edit");
        }

        /// <inheritdoc />
        protected override void EndProcessing() => WaitForWork();
    }
}
